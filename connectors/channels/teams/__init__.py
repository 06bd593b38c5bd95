"""Microsoft Teams channel: a Bot Framework endpoint (`POST /api/messages`) in front of the core."""

from connectors.channels.teams.bot import AssistantBot, message_from_activity
from connectors.channels.teams.cards import FeedbackSubmission, answer_card, parse_feedback
from connectors.channels.teams.config import TeamsConfig
from connectors.channels.teams.errors import TeamsConfigurationError
from connectors.channels.teams.router import MESSAGES_PATH, create_teams_router

__all__ = [
    "MESSAGES_PATH",
    "AssistantBot",
    "FeedbackSubmission",
    "TeamsConfig",
    "TeamsConfigurationError",
    "answer_card",
    "create_teams_router",
    "message_from_activity",
    "parse_feedback",
]
