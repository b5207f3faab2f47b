from hotmart_common.service import run
from hotmart_common.spreadsheet.memory import map_large_blocks

from .app import definition
from .settings import ParseSettings

if __name__ == "__main__":
    map_large_blocks()  # a whole file is read per import: its memory must go back after
    run(definition, ParseSettings())
