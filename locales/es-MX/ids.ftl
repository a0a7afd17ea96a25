# Mensajes de validación de identificadores (crates/domain/src/ids). El id de cada mensaje es el
# código estable de IdError / IdWarning.

## NSS (Número de Seguridad Social)

nss_length = El NSS debe tener exactamente 11 dígitos, sin espacios ni guiones. Revisa que lo copiaste completo de tu recibo de nómina o de tu constancia de semanas cotizadas del IMSS.
nss_not_digits = El NSS solo lleva números del 0 al 9. Quita las letras, espacios, guiones o signos y escríbelo de nuevo.
nss_check_digit = El último dígito del NSS no corresponde con los demás, así que seguramente hay un número equivocado o dos números volteados. Compáralo con tu recibo de nómina o tu constancia de semanas cotizadas del IMSS.

## CURP

curp_length = La CURP debe tener exactamente 18 caracteres entre letras y números, sin espacios. Revisa que la copiaste completa de tu constancia de CURP.
curp_format = La CURP no tiene la forma correcta: son 4 letras, 6 números (tu fecha de nacimiento), 6 letras, una letra o número y un número al final. Revisa que no hayas puesto un cero en lugar de la letra O, ni acentos o Ñ, y cópiala de tu constancia de CURP.
curp_date = Los números de la fecha de nacimiento en la CURP (del carácter 5 al 10: año, mes y día) no forman una fecha que exista. Revisa que los copiaste bien de tu constancia de CURP.
curp_sex = El carácter 11 de la CURP debe ser H (hombre) o M (mujer). Revisa que lo copiaste bien de tu constancia de CURP.
curp_state = Los caracteres 12 y 13 de la CURP deben ser la clave del estado donde naciste (por ejemplo DF, JC o NL, o NE si naciste en el extranjero). Revisa que los copiaste bien de tu constancia de CURP.
curp_check_digit = El dígito verificador de la CURP (el último carácter) no coincide con los demás, así que seguramente hay un carácter equivocado. Revisa que la copiaste completa de tu constancia de CURP.
curp_blocklisted = Las primeras 4 letras de la CURP forman una palabra que el Registro Nacional de Población (RENAPO) nunca asigna (en esos casos cambia la segunda letra por una X). Revisa esas letras en tu constancia de CURP.

## RFC

rfc_length = El RFC debe tener 13 caracteres si es de persona o 12 si es de empresa, contando la homoclave de 3 caracteres y sin espacios ni guiones. Si el tuyo tiene 10, agrégale la homoclave que aparece en tu Constancia de Situación Fiscal.
rfc_format = El RFC no tiene la forma correcta: son 4 letras (3 si es de empresa), 6 números de la fecha y una homoclave de 3 letras o números. Revisa que no lleve acentos ni signos y cópialo de tu Constancia de Situación Fiscal.
rfc_date = Los 6 números de la fecha en el RFC (año, mes y día) no forman una fecha que exista. Revisa que los copiaste bien de tu Constancia de Situación Fiscal.
rfc_blocklisted = Las primeras 4 letras del RFC forman una palabra que el SAT nunca asigna (en esos casos cambia la última letra por una X). Revisa esas letras en tu Constancia de Situación Fiscal.
rfc_check_digit_warning = La homoclave de tu RFC (los últimos 3 caracteres) no coincide con el cálculo habitual. Algunos RFC válidos son así, por eso lo aceptamos; solo confirma que lo copiaste tal cual de tu Constancia de Situación Fiscal.

## CLABE

clabe_length = La CLABE debe tener exactamente 18 dígitos, sin espacios ni guiones. Cópiala de tu estado de cuenta o de la app de tu banco.
clabe_not_digits = La CLABE solo lleva números del 0 al 9. Quita las letras, espacios, guiones o signos y escríbela de nuevo.
clabe_check_digit = El último dígito de la CLABE no corresponde con los demás, así que seguramente hay un número equivocado. Cópiala otra vez de tu estado de cuenta o de la app de tu banco.
clabe_bank_unknown = Los primeros 3 dígitos de la CLABE indican el banco, y no corresponden a ningún banco que reciba transferencias electrónicas (SPEI). Revisa que sea tu CLABE interbancaria de 18 dígitos y no un número de tarjeta o de cuenta.
