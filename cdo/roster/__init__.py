"""The roster: units, their chief data officers and specialists, meetings, plans and summaries."""
