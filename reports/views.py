def email_choice_section(request):
    return ""
