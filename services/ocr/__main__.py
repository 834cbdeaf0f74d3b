from idstream.streaming.service import run_service
from services.ocr import SPEC

run_service(SPEC)
