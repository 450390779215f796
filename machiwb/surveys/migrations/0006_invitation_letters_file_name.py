from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0005_invitation_letters"),
    ]

    operations = [
        migrations.RenameField(model_name="invitationletters", old_name="pdf", new_name="content"),
        migrations.AddField(
            model_name="invitationletters",
            name="file_name",
            field=models.CharField(default="", max_length=200, verbose_name="ファイル名"),
            preserve_default=False,
        ),
    ]
