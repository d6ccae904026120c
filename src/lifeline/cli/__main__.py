from lifeline.cli import app

app()
