from django.db import models

from channels.crypto import decrypt_json, encrypt_json


class EncryptedJSONField(models.TextField):
    # What the attribute holds in Python (for the type checker): a dict.
    _pyi_private_set_type: dict  # type: ignore[assignment]
    _pyi_private_get_type: dict  # type: ignore[assignment]

    """A dict stored as a Fernet token: readable in Python, opaque in the database."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return {}
        return decrypt_json(value)

    def to_python(self, value):
        if isinstance(value, dict):
            return value
        if value is None or value == "":
            return {}
        return decrypt_json(value)

    def get_prep_value(self, value):
        if value is None:
            value = {}
        return encrypt_json(value)

    def value_to_string(self, obj):
        # Dumps (dumpdata) never carry secrets in clear text.
        return self.get_prep_value(self.value_from_object(obj))
