"""The review (moderation) web application: :func:`idstream.review.app.create_app`."""

__all__: list[str] = []
