from idstream.streaming.service import run_service
from services.preprocess import SPEC

run_service(SPEC)
