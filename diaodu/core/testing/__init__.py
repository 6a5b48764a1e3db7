"""Test helpers shared by every app (the authorization matrix lives in :mod:`diaodu.core.testing.authz`)."""
