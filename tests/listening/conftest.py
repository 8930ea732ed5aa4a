from tests.channels.x.conftest import fake_x, x_channel  # noqa: F401 - shared fixtures
