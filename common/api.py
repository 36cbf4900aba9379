"""What every /api/ endpoint shares, so that its OpenAPI schema says what it does (issue
16.7, checked by schemathesis in tests/telefoni/test_api_schemathesis.py): the answers
every operation may give besides its own, and the one rule for a text parameter."""

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse

# Not signed in: no token, an unknown token, or no session (DRF answers 401 because
# TokenAuthentication comes first and names itself in WWW-Authenticate).
NOT_SIGNED_IN = {401: OpenApiResponse(description="No token or session, or an unknown token.")}

# A text parameter has at least one character that is not white space (DRF trims the
# rest away), and no NUL (DRF refuses it; PostgreSQL cannot store it). Written as a
# pattern the schema carries, so a client (and schemathesis) can tell a valid text.
TEXT_PATTERN = r"^[^\x00]*[^\x00\s][^\x00]*$"
text_validator = RegexValidator(
    TEXT_PATTERN, message=_("Enter a text that is not empty and has no NUL character.")
)
