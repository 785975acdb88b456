"""Problems (问题数据): model and states, list import, overdue and monthly reports."""
