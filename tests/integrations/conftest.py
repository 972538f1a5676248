import pytest

from .kolada_stub import KoladaStub, SleepRecorder


@pytest.fixture
def kolada_stub(settings):
    stub = KoladaStub()
    settings.KOLADA_BASE_URL = stub.base_url
    yield stub
    stub.close()


@pytest.fixture
def no_sleep():
    return SleepRecorder()
