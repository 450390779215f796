"""Create an operator account (運営者アカウントの作成).

    manage.py create_operator --email ops@example.jp          # asks for the password twice
    echo "$PASSWORD" | manage.py create_operator --email ops@example.jp --password-stdin

The operator registers an authenticator app at first sign-in (two factors are required).
"""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email

from machiwb.accounts.models import User
from machiwb.accounts.services import operator_create


class Command(BaseCommand):
    help = "Create an operator (運営者) account; two-factor enrolment follows at first sign-in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from standard input"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"--email {email!r} is not a valid e-mail address.") from None
        if User.objects.filter(email=email).exists():
            raise CommandError(f"An account for {email} already exists.")
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ.")
        try:
            user = operator_create(email=email, password=password)
        except ValidationError as error:
            raise CommandError("Password refused: " + " ".join(error.messages)) from None
        self.stdout.write(
            f"Created operator {user.email}. At first sign-in at /accounts/login/ they register "
            "an authenticator app and receive recovery codes."
        )
