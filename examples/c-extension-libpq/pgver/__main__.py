from pgver import version_string

print(f"libpq {version_string()}")
