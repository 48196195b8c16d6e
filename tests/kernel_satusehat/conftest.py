"""Helpers of the SATUSEHAT tests: run an import job eagerly from bytes."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kernel.imports.runner import import_start
from kernel.models import ImportJob


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def run_import(django_capture_on_commit_callbacks):
    def run(kind, data, user, params=None, name="file.json") -> ImportJob:
        if not isinstance(data, bytes):
            data = json.dumps(data).encode()
        with django_capture_on_commit_callbacks(execute=True):
            job = import_start(
                kind=kind, upload=SimpleUploadedFile(name, data), user=user, params=params or {}
            )
        job.refresh_from_db()
        return job

    return run
