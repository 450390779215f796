import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

django_application = get_wsgi_application()

# Imported once Django is set up: complete answer sheets are stored in front of Django's
# request handling (machiwb/surveys/submission.py); every other request goes to Django.
from machiwb.surveys.submission import SubmissionEndpoint  # noqa: E402

application = SubmissionEndpoint(django_application)
