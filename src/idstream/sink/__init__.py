"""The sink: review routing and the results store.

* :mod:`idstream.sink.routing`: :class:`~idstream.sink.routing.ReviewPolicy` and
  :func:`~idstream.sink.routing.route_review` (no database needed);
* :mod:`idstream.sink.store`: :class:`~idstream.sink.store.ResultStore`, idempotent by document id;
* :mod:`idstream.sink.models`: the SQLAlchemy tables, migrated with Alembic;
* :mod:`idstream.sink.annotations_export`: reviewed documents in the training format.
"""

__all__: list[str] = []
