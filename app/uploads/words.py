"""Words and addresses the Uploads templates use, wherever an upload is shown."""

from app.uploads import bp, views

bp.add_app_template_filter(views.state_words, "upload_state")
bp.add_app_template_filter(views.state_tone, "upload_tone")
bp.add_app_template_filter(views.placeholder_words, "upload_placeholder")
bp.add_app_template_filter(views.size_words, "upload_size")
bp.add_app_template_filter(views.duration_words, "upload_duration")
bp.add_app_template_test(views.has_file, "upload_has")
