from idstream.streaming.service import run_service
from services.graph_ie import SPEC

run_service(SPEC)
