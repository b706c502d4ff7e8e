from django.db import migrations

# One identifier, one account: a username may not be another account's email,
# nor an email another account's username (case-insensitively), or signing in
# with that identifier would reach the wrong account. The services check first
# and say so clearly; this trigger is the last word when two requests race.
# Each new identifier is locked (a transaction-level advisory lock on its
# lower-cased hash, taken in a fixed order) before the other rows are read, so
# of two transactions giving one identifier to two accounts, the second waits
# for the first, then sees its row. Identifiers an UPDATE leaves unchanged are
# not checked: a save of other fields never fails on older rows.
FORWARD = """
CREATE FUNCTION accounts_user_identifiers_distinct() RETURNS trigger AS $$
DECLARE
    new_username text := lower(NEW.username);
    new_email text := lower(NEW.email);
    check_username boolean := true;
    check_email boolean := true;
    identifier text;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        check_username := new_username IS DISTINCT FROM lower(OLD.username);
        check_email := new_email IS DISTINCT FROM lower(OLD.email);
    END IF;
    FOR identifier IN
        SELECT value FROM (VALUES (check_username, new_username), (check_email, new_email)) AS t (wanted, value)
        WHERE wanted ORDER BY hashtext(value), value
    LOOP
        PERFORM pg_advisory_xact_lock(hashtext('accounts_user_identifier'), hashtext(identifier));
    END LOOP;
    IF check_username AND EXISTS (
        SELECT 1 FROM accounts_user WHERE lower(email) = new_username AND id IS DISTINCT FROM NEW.id
    ) THEN
        RAISE EXCEPTION 'this username is another account''s email'
            USING ERRCODE = 'unique_violation', CONSTRAINT = 'user_username_is_another_email';
    END IF;
    IF check_email AND EXISTS (
        SELECT 1 FROM accounts_user WHERE lower(username) = new_email AND id IS DISTINCT FROM NEW.id
    ) THEN
        RAISE EXCEPTION 'this email is another account''s username'
            USING ERRCODE = 'unique_violation', CONSTRAINT = 'user_email_is_another_username';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER accounts_user_identifiers_distinct
    BEFORE INSERT OR UPDATE OF username, email ON accounts_user
    FOR EACH ROW EXECUTE FUNCTION accounts_user_identifiers_distinct();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS accounts_user_identifiers_distinct ON accounts_user;
DROP FUNCTION IF EXISTS accounts_user_identifiers_distinct();
"""


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_audit_action_emergency_access'),
    ]

    operations = [
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
