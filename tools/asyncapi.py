"""Writes the AsyncAPI catalogue of the services' events, from the registry of services.

Every topic is declared with its event contract; every service's consumer groups become
its subscriptions and the topics it publishes its publications, as
``hotmart_common.registry`` lists them, so the document shows who publishes and who
consumes what.
"""

import json
import sys
from pathlib import Path
from typing import Any

from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI
from pydantic import BaseModel

from hotmart_common import registry
from hotmart_common.schemas import CATALOGUE


def contracts() -> dict[str, list[type[BaseModel]]]:
    """topic -> the event models it carries."""
    by_topic: dict[str, list[type[BaseModel]]] = {}
    for model, topic in CATALOGUE.values():
        by_topic.setdefault(topic, []).append(model)
    return by_topic


def payload(models: list[type[BaseModel]]) -> Any:
    schema: Any = models[0]
    for model in models[1:]:
        schema = schema | model
    return schema


def describe(models: list[type[BaseModel]]) -> str:
    return " / ".join((m.__doc__ or m.__name__).strip() for m in models)


def declare(broker: KafkaBroker) -> None:
    by_topic = contracts()
    for service in registry.SERVICES:
        for topic in service.publishes:
            broker.publisher(topic, title=f"{topic}:{service.name}",
                             schema=payload(by_topic[topic]),
                             description=f"Published by the {service.name} service: "
                                         f"{describe(by_topic[topic])}")
        for group in service.groups:
            models = by_topic[group.topic]

            async def handler(message: Any) -> None:  # never called: nothing is consumed
                del message

            handler.__annotations__["message"] = payload(models)
            broker.subscriber(group.topic, group_id=group.group_id,
                              title=f"{group.topic}:{group.group_id}",
                              description=f"The {service.name} service's consumer group "
                                          f"'{group.group_id}'.")(handler)


def catalogue() -> str:
    broker = KafkaBroker("kafka:9092")
    declare(broker)
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
