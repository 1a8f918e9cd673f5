"""The service's database: schema (models), engine and sessions (db), and the queries the API needs."""
