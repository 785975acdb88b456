"""The store: opening and migrating the SQLite file, the audit log (write and read), the calendar's stored years, backup and restore."""
