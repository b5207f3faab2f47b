from hotmart_common.service import run

from .app import definition
from .settings import FinalizerSettings

if __name__ == "__main__":
    run(definition, FinalizerSettings())
