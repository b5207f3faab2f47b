"""The matcher's rule of when two buyers are one client: the same e-mail address, compared
as its matching key (surrounding spaces dropped, letters lower-cased).

Every door validates an address and reports a bad one; whether two addresses name one
client is decided here, and only here. (Parse's normal form of an address already is this
key today, so for file rows it changes nothing; a door that sends the address as written
is matched the same way.)
"""


def client_key(email: str) -> str:
    return email.strip().lower()
