from idstream.streaming.service import run_service
from services.sink import SPEC

run_service(SPEC)
