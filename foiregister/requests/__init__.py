"""The request register: requests, questions and answers, the timeline and its statutory
clocks, contributions, time, requesters, reminders and the holiday table."""
