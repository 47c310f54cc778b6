from datetime import timedelta

from accounts.models import FocusArea


def valid_goal_data(program, **overrides) -> dict:
    """What a mentee types into the guided form for a complete SMART goal."""
    today = program.today()
    data = {
        "title": "Apply to 3 jobs a week",
        "specific": "Apply for kitchen and warehouse jobs near the bus line.",
        "kind": "life",
        "metric": "job applications sent",
        "direction": "at_least",
        "baseline": "0",
        "target": "3",
        "unit": "applications a week",
        "steps": "Update my CV on Monday; visit the job center on Wednesdays.",
        "support": "My mentor and the job center counsellor.",
        "focus_area": str(FocusArea.objects.filter(program=program).first().pk),
        "why_it_matters": "A job gives my days a shape and keeps me away from old friends.",
        "start_date": f"{today:%Y-%m-%d}",
        "due_date": f"{today + timedelta(weeks=8):%Y-%m-%d}",
        "review_cadence": "weekly",
    }
    data.update(overrides)
    return data
