"""Writes the AsyncAPI catalogue of the services' events, from their FastStream wiring.

Every topic is declared with its event contract, and every service registers its real
subscribers on the same broker, so the document shows who publishes and who consumes what.
"""

import importlib
import inspect
import json
import sys
from pathlib import Path
from typing import Any

from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI

from hotmart_common.blobstore import BlobStore
from hotmart_common.kafka_publisher import EventPublisher
from hotmart_common.schemas import CATALOGUE
from hotmart_common.service import ServiceContext, ServiceDefinition
from hotmart_common.settings import ServiceSettings
from hotmart_common.store import Store

SERVICES = ("upload", "parse", "matcher", "journey", "revenue", "finalizer")


def service_settings(name: str) -> ServiceSettings:
    module = importlib.import_module(f"{name}_service.settings")
    classes = [c for _, c in inspect.getmembers(module, inspect.isclass)
               if issubclass(c, ServiceSettings) and c is not ServiceSettings]
    return classes[0]()


def catalogue() -> str:
    broker = KafkaBroker("kafka:9092")
    by_topic: dict[str, list[Any]] = {}
    for model, topic in CATALOGUE.values():
        by_topic.setdefault(topic, []).append(model)
    for topic, models in by_topic.items():
        schema: Any = models[0] if len(models) == 1 else models[0] | models[1]
        broker.publisher(topic, schema=schema, description=" / ".join(
            (m.__doc__ or m.__name__).strip() for m in models))
    publisher = EventPublisher("kafka:9092")  # never started: nothing is sent
    for name in SERVICES:
        definition: ServiceDefinition = importlib.import_module(f"{name}_service.app").definition
        if definition.subscribe is not None:
            settings = service_settings(name)
            blobs = BlobStore(settings.infra) if definition.uses_s3 else None
            context = ServiceContext(name, settings,
                                     Store(None, publisher),  # type: ignore[arg-type]
                                     broker, publisher, blobs)
            definition.subscribe(context)
    spec = AsyncAPI(broker, title="Hotmart Import events", version="1.0.0",
                    description="Topics, their event contracts and the consumer groups.")
    document = json.loads(spec.to_specification().to_json())
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> int:
    target = Path(sys.argv[1])
    text = catalogue()
    if "--check" in sys.argv:
        if not target.exists() or target.read_text() != text:
            print(f"{target} is stale: run 'make schemas'", file=sys.stderr)
            return 1
        return 0
    target.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
