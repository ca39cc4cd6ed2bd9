"""The stack's floor: a bare FastAPI app answering the service's requests with the same shapes.

    python benchmarks/bare.py PAGES.json --port 8001 [--workers N]

``PAGES.json`` holds one real page of each list (captured from the service by
``benchmarks/load.py``). Every request validates and serialises the page through the service's
own response models, as the service does, but with no database, no token and no middleware:
what FastAPI, pydantic and uvicorn cost on their own for the same bytes.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

from api.schemas import ConsentCreate, DecisionCreate, MentorsPage, ProposalPublic, ProposalsPage


def bare_app(pages: dict[str, Any]) -> FastAPI:
    app = FastAPI()
    proposal = pages["proposals"]["items"][0]

    @app.get("/bare/proposals")
    def proposals(limit: int = 50, offset: int = 0) -> ProposalsPage:
        return ProposalsPage.model_validate(pages["proposals"])

    @app.get("/bare/mentors")
    def mentors(limit: int = 50, offset: int = 0) -> MentorsPage:
        return MentorsPage.model_validate(pages["mentors"])

    @app.post("/bare/decision")
    def decision(body: DecisionCreate) -> ProposalPublic:
        return ProposalPublic.model_validate({**proposal, "version": body.version + 1})

    @app.post("/bare/consent")
    def consent(body: ConsentCreate) -> ProposalPublic:
        return ProposalPublic.model_validate({**proposal, "version": body.version + 1})

    return app


def from_environment() -> FastAPI:
    """The app for each of several uvicorn processes: the pages' file is named in ``BARE_PAGES``."""
    return bare_app(json.loads(Path(os.environ["BARE_PAGES"]).read_text(encoding="utf-8")))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("pages", type=Path)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    if args.workers > 1:
        os.environ["BARE_PAGES"] = str(args.pages.resolve())
        uvicorn.run(
            "bare:from_environment",
            factory=True,
            app_dir=str(Path(__file__).resolve().parent),
            workers=args.workers,
            host="127.0.0.1",
            port=args.port,
            access_log=False,
            log_level="warning",
        )
        return
    app = bare_app(json.loads(args.pages.read_text(encoding="utf-8")))
    uvicorn.run(app, host="127.0.0.1", port=args.port, access_log=False, log_level="warning")


if __name__ == "__main__":
    main()
