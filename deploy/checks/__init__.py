"""Checks of the deployment artifacts that no off-the-shelf tool makes, one module per
subject; ``deploy/validate_checks.py`` is their command line, ``deploy/validate.sh`` runs it."""
