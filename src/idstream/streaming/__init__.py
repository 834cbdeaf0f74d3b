"""The streaming adapters: faust apps, Kafka clients and the object store meet the stages here.

Nothing in the domain packages imports this package.
"""
