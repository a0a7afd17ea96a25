app-name = Vivienda
tagline = Your housing savings and credit, online.
free-and-personal = Every procedure is free and personal. Nobody should charge you to do it.
service-unavailable = The service is unavailable right now. Please try again in a few minutes.
not-found = We could not find the page you are looking for.
help-phone = Infonatel: 800 008 3900
