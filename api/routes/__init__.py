"""One router per resource; the app includes each of ``ROUTERS``."""

from api.routes import (
    audit,
    council,
    cycles,
    docs,
    exports,
    health,
    institutions,
    mentees,
    mentors,
    monitoring,
    programs,
    proposals,
    runs,
    supply_demand,
    templates,
)

ROUTERS = (
    proposals.router,
    runs.router,
    mentors.router,
    mentees.router,
    health.router,
    institutions.router,
    programs.router,
    exports.router,
    templates.router,
    audit.router,
    council.router,
    cycles.router,
    monitoring.router,
    supply_demand.router,
    docs.router,
    exports.proposal_router,
    monitoring.program_router,
)
"""Every router, the busiest first: a request is matched against the routes in this order."""
