"""idstream: open, offline digitization of identity documents.

The package holds the domain code of every stage (importable without Kafka, the
object-store client or gRPC), the embedded pipeline that runs the stages in one
process, and the command-line interface. The stream adapters live in
``services/``.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
