# Cuentas: contraseñas, códigos y acceso.
password_too_short = La contraseña debe tener al menos 8 caracteres. Te recomendamos 15 o más: una frase de varias palabras es fácil de recordar y difícil de adivinar.
password_too_long = La contraseña puede tener como máximo 128 caracteres.
password_common = Esa contraseña es de las más usadas y se adivina fácilmente. Elige otra, por ejemplo una frase de varias palabras.
password_personal_data = La contraseña no puede contener tu NSS, CURP, RFC, nombre, correo ni fecha de nacimiento. Elige otra.
