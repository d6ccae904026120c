"""Reports: the programme's figures for a period and the console's dashboard."""
