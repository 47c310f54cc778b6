from django.utils import timezone

from accounts.demo import demo_seed_small
from checkins.demo import demo_seed_checkins
from checkins.models import Alert, CheckIn, Schedule
from matching.demo import demo_seed_matches


def test_demo_check_ins_are_seeded_once(db):
    program, _ = demo_seed_small()
    demo_seed_matches(program=program)
    demo_seed_checkins(program=program)
    counts = (Schedule.objects.count(), CheckIn.objects.count(), Alert.objects.count())
    assert counts[0] > 0
    assert CheckIn.objects.filter(status="completed").exists()
    assert CheckIn.objects.filter(status="scheduled", scheduled_at__lt=timezone.now()).exists()
    assert CheckIn.objects.filter(kind="group").count() == 1
    assert Alert.objects.filter(resolved_at__isnull=True).exists()
    demo_seed_checkins(program=program)
    assert (Schedule.objects.count(), CheckIn.objects.count(), Alert.objects.count()) == counts
