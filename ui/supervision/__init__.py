"""What the monitor, review and admin pages show: fieldwork data and charts, one interview
under review, the audit log."""
