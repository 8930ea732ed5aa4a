"""Services of the teams app: the rota from the database, assignment, handover, coverage."""
