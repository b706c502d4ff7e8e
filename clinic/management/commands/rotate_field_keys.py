from django.core.management.base import BaseCommand, CommandError

from clinic.rotation import UnreadableValue, rotation_steps


class Command(BaseCommand):
    help = (
        "Re-encrypt everything stored under FIELD_ENCRYPTION_KEYS with the newest (first) key. "
        "Batched, one transaction per batch; safe to stop and run again. Drop an old key from "
        "the list only after a run has finished."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="rows per transaction (default 500)")

    def handle(self, *args, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        rotated = 0
        for step in rotation_steps():
            try:
                result = step.run(batch_size)
            except UnreadableValue as error:
                raise CommandError(f"{step.name}: {error}") from None
            rotated += result.rotated
            self.stdout.write(f"{step.name}: {result.rotated} re-encrypted, {result.current} already current")
        self.stdout.write(self.style.SUCCESS(f"Done: {rotated} re-encrypted."))
