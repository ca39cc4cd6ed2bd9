"""mentor-match: mentor–mentee matching for the target model of mentoring of teachers."""

__version__ = "0.1.0"
