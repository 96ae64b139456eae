# gunicorn configuration: `gunicorn "app:create_app()"` reads it from the working directory.
bind = "0.0.0.0:8000"
workers = 2
accesslog = "-"
