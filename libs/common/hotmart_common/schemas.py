"""Writes the JSON Schema of every event into ``schemas/`` (``--check``: fail when stale)."""

import argparse
import json
import sys
from pathlib import Path

from pydantic import BaseModel

from . import events, topics

GENERATED_ELSEWHERE = {"asyncapi.json"}  # tools/asyncapi.py, from the registry of services
CATALOGUE: dict[str, tuple[type[BaseModel], str]] = {
    "ImportConfirmed": (events.ImportConfirmed, topics.IMPORT_CONFIRMED),
    "RowParsed": (events.RowParsed, topics.IMPORT_ROWS),
    "ChunkEnded": (events.ChunkEnded, topics.IMPORT_ROWS),
    "ChunkProcessed": (events.ChunkProcessed, topics.CHUNK_DONE),
    "RowsFailed": (events.RowsFailed, topics.CHUNK_DONE),
    "ImportFailed": (events.ImportFailed, topics.CHUNK_DONE),
    "ClientCreated": (events.ClientCreated, topics.CLIENT_CREATED),
    "ClientUpdated": (events.ClientUpdated, topics.CLIENT_UPDATED),
    "ImportCompleted": (events.ImportCompleted, topics.IMPORT_COMPLETED),
    "DeadLetter": (events.DeadLetter, topics.DEAD_LETTERS),
}


def rendered() -> dict[str, str]:
    files = {}
    for name, (model, topic) in CATALOGUE.items():
        schema = model.model_json_schema(mode="serialization")
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["x-topic"] = topic
        files[f"{name}.schema.json"] = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    index = {name: {"topic": topic, "schema": f"{name}.schema.json"}
             for name, (_, topic) in CATALOGUE.items()}
    files["index.json"] = json.dumps(index, indent=2) + "\n"
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    expected = rendered()
    if args.check:
        stale = [name for name, text in expected.items()
                 if not (args.directory / name).exists()
                 or (args.directory / name).read_text() != text]
        extra = [p.name for p in args.directory.glob("*.json")
                 if p.name not in expected and p.name not in GENERATED_ELSEWHERE]
        if stale or extra:
            print(f"schemas/ is stale ({', '.join(stale + extra)}): run 'make schemas'",
                  file=sys.stderr)
            return 1
        return 0
    args.directory.mkdir(parents=True, exist_ok=True)
    for old in args.directory.glob("*.json"):
        if old.name not in GENERATED_ELSEWHERE:
            old.unlink()
    for name, text in expected.items():
        (args.directory / name).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
