from channels.connectors.base import Connector


class EmailConnector(Connector):
    kind = "email"
