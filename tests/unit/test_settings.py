from __future__ import annotations

import pytest

from idstream.errors import ConfigurationError
from idstream.settings import Settings, load_settings
from idstream.topics import Topics


def test_settings_read_from_environment_with_types() -> None:
    s = load_settings(
        {"IDSTREAM_KAFKA_BOOTSTRAP": "h:1", "IDSTREAM_MAX_IN_FLIGHT": "4", "IDSTREAM_S3_SECURE": "true"}
    )
    assert (s.kafka_bootstrap, s.max_in_flight, s.s3_secure) == ("h:1", 4, True)


def test_env_round_trip() -> None:
    s = Settings(topic_prefix="acme", partitions=8)
    assert load_settings(s.env()) == s


def test_bad_value_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="IDSTREAM_PARTITIONS"):
        load_settings({"IDSTREAM_PARTITIONS": "many"})


def test_topics_follow_the_prefix() -> None:
    assert Topics("acme").all() == [
        "acme.ingest",
        "acme.preprocessed",
        "acme.ocr",
        "acme.extracted",
        "acme.results",
        "acme.dlq",
    ]
