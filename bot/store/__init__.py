"""The store: the database, its tables and migrations, tickets, Redis state, the outbox."""
