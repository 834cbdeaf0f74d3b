"""Local development stack: the Kafka broker, the object store and detached processes.

Used by ``idstream up``/``down`` and the integration-test fixtures. Stdlib only at
module level; the Kafka admin client is imported where it is used.
"""

from idstream.devstack.kafka import KafkaBroker, ensure_topics
from idstream.devstack.objectstore import ObjectStoreServer
from idstream.devstack.processes import DEFAULT_RUN_DIR, is_running, start, stop

__all__ = [
    "DEFAULT_RUN_DIR",
    "KafkaBroker",
    "ObjectStoreServer",
    "ensure_topics",
    "is_running",
    "start",
    "stop",
]
