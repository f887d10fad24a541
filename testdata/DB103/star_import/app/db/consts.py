warnings = ["slow query"]
