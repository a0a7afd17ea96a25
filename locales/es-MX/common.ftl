app-name = Vivienda
tagline = Tu ahorro y tu crédito de vivienda, en línea.
free-and-personal = Todos los trámites son gratuitos y personales. Nadie debe cobrarte por hacerlos.
service-unavailable = El servicio no está disponible por el momento. Intenta de nuevo en unos minutos.
not-found = No encontramos la página que buscas.
help-phone = Infonatel: 800 008 3900
