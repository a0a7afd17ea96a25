## Tramitar mi crédito: producto, documentos, revisión y envío

application-title = Tramitar mi crédito
application-choose-title = ¿Qué crédito quieres y para qué?
application-choose-hint = Elige una opción. Después subes tus documentos y, antes de enviar, revisas todo.
application-choice = { $product }: { $purpose }
application-product = Crédito
application-purpose = Para qué es
application-product-tradicional = Crédito Infonavit
application-product-cofinavit = Cofinavit (Infonavit y un banco)
application-product-mejoravit = Mejoravit
application-product-unamos_creditos = Unamos Créditos
application-purpose-buy = comprar una casa
application-purpose-build = construir en tu terreno
application-purpose-improve = ampliar o reparar tu casa
application-purpose-pay_off_mortgage = pagar una hipoteca que tienes con otro
application-course-first = Antes de enviar tu solicitud necesitas aprobar el curso «Saber más para decidir mejor». Dura unos 15 minutos.
application-go-to-course = Ir al curso
application-continue = Continuar
application-free = Todos los trámites son gratuitos y personales. Nadie puede cobrarte por hacerlos.
application-back-to-credit = Volver a Quiero un crédito
application-back = Volver a tu solicitud

application-draft-title = Tu solicitud de crédito
application-change = Cambiar
application-documents = Tus documentos
application-documents-hint = Sube cada documento como PDF, JPG o PNG, de hasta { $mb } MB. Puedes cambiarlo o quitarlo mientras no envíes la solicitud.
application-doc-kept = Ya subiste:
application-doc-delete = Quitar este archivo
application-doc-replace = Cambiar por otro archivo
application-doc-choose = Elige el archivo
application-doc-upload = Subir
application-doc-missing = Falta
application-course = Curso «Saber más para decidir mejor»
application-course-done = Ya aprobaste el curso.
application-review = Revisar y enviar

application-doc-official_id = Identificación oficial vigente
application-doc-official_id-hint = Tu credencial para votar (INE) por los dos lados, o tu pasaporte.
application-doc-birth_certificate = Acta de nacimiento
application-doc-birth_certificate-hint = Completa y legible.
application-doc-tax_id = Constancia de situación fiscal (RFC)
application-doc-tax_id-hint = La descargas gratis en el portal del SAT.
application-doc-appraisal = Avalúo de la vivienda
application-doc-appraisal-hint = Lo hace una unidad de valuación autorizada por el Infonavit.
application-doc-title_deed = Escritura de la vivienda o del terreno
application-doc-title_deed-hint = Todas las hojas, con los datos del registro público.
application-doc-seller_bank_statement = Estado de cuenta de quien vende
application-doc-seller_bank_statement-hint = Con su CLABE y de no más de 2 meses.
application-doc-works_budget = Presupuesto de la obra
application-doc-works_budget-hint = Qué vas a construir o reparar y cuánto cuesta.
application-doc-mortgage_statement = Saldo de tu hipoteca actual
application-doc-mortgage_statement-hint = La carta de tu banco con lo que debes hoy.
application-doc-bank_approval = Aprobación del banco
application-doc-bank_approval-hint = La carta del banco que da la otra parte de tu Cofinavit.

application-check-title = Revisa tu solicitud antes de enviarla
application-declaration = Al enviar, declaras que los documentos son tuyos y verdaderos. Te avisaremos por correo y mensaje cada vez que tu solicitud cambie.
application-send = Enviar solicitud

application-status-title = Solicitud de crédito
application-sent-title = Recibimos tu solicitud de crédito
application-sent-next = Vamos a revisar tus documentos. Te avisaremos por correo y mensaje cada vez que cambie tu solicitud. Si falta algo, te diremos qué corregir.
application-next = A quién le toca
application-reason = Motivo
application-promised = Te respondemos a más tardar el
application-elapsed = Tiempo que ha pasado

application-error-application_choice = Elige un crédito y para qué lo quieres.
application-error-application_item = Ese documento no es de los que pide tu solicitud. Súbelo en el lugar que le corresponde.
application-error-file_empty = El archivo está vacío. Elige el archivo otra vez; si lo escaneaste, revisa que se haya guardado bien.
application-error-file_too_large = El archivo pesa más de 20 MB. Escanéalo con menos resolución o en blanco y negro y súbelo de nuevo.
application-error-file_type = El archivo no es un PDF, JPG o PNG, aunque su nombre lo diga. Guárdalo como PDF o toma una foto y súbela.
application-error-file_incomplete = El archivo está incompleto o dañado y no se puede abrir. Guárdalo de nuevo y vuelve a subirlo.
application-error-file_infected = El archivo tiene un virus y no lo guardamos. Escanea el documento otra vez desde el papel.
application-error-file_scan_failed = No pudimos revisar el archivo en este momento. Inténtalo de nuevo en unos minutos.
application-error-storage_full = No pudimos guardar tu documento porque nuestro espacio de almacenamiento está lleno. No se guardó nada de este archivo. Inténtalo de nuevo más tarde; ya estamos enterados.
application-error-file_interrupted = El archivo no llegó completo. Revisa tu conexión e inténtalo de nuevo.
application-error-application_not_draft = Tu solicitud ya se envió y ya no se puede cambiar. Puedes ver cómo va en esta página.
application-error-application_already_open = Ya tienes una solicitud de crédito en proceso. Puedes ver cómo va en Mis trámites.
application-error-course_required = Antes de enviar tu solicitud necesitas aprobar el curso «Saber más para decidir mejor».
application-error-application_documents_missing = Todavía faltan documentos. Súbelos y vuelve a revisar tu solicitud.
application-error-request_not_permitted = No puedes hacer este cambio en tu solicitud.
application-error-request_closed = Tu solicitud ya terminó y no se puede cambiar.
application-error-request_wrong_state = Tu solicitud ya se envió y ya no se puede cambiar.
application-error-request_state_changed = Tu solicitud cambió mientras la veías. Ábrela de nuevo.
application-error-request_already_open = Ya tienes una solicitud de crédito en proceso. Puedes ver cómo va en Mis trámites.
application-error-request_answers_too_large = Tu solicitud tiene demasiados datos. Llama a Infonatel.
application-error-member_not_found = No encontramos tus datos en el registro. Llama a Infonatel.
application-error-request_not_found = No encontramos esa solicitud.

procedure-credit-application = Solicitud de crédito
procedure-credit-application-hint = Elige tu crédito, sube tus documentos y sigue tu solicitud.
document-course_certificate = Constancia del curso «Saber más para decidir mejor»

## Curso «Saber más para decidir mejor»

course-title = Curso «Saber más para decidir mejor»
course-intro = Este curso es obligatorio para pedir un crédito. Son 5 páginas cortas y una evaluación de 6 preguntas. Cuando la apruebes, te damos una constancia.
course-contents = Contenido del curso
course-next = Siguiente
course-to-quiz = Ir a la evaluación
course-go = Ir al curso
course-certificate = Descargar tu constancia (PDF)
course-passed-title = Aprobaste el curso
course-passed-text = Tu constancia ya está guardada. La tomamos en cuenta cuando envíes tu solicitud de crédito.
course-not-passed = Todavía no apruebas el curso. Al aprobar la evaluación podrás descargar tu constancia.
course-quiz-title = Evaluación final
course-quiz-failed-title = Evaluación final: todavía no apruebas
course-failed-title = Todavía no apruebas
course-score = Tuviste { $score } de { $out_of } respuestas correctas.
course-pass-mark = Para aprobar necesitas { $mark } respuestas correctas. Puedes intentarlo las veces que quieras.
course-check = Revisar mis respuestas
course-to-application = Seguir con tu solicitud de crédito

course-que-es-un-credito-title = Qué es un crédito
course-que-es-un-credito-1 = Un crédito es dinero que te prestan y que pagas después, poco a poco, con intereses.
course-que-es-un-credito-2 = Con un crédito del Infonavit puedes comprar una casa, construir en tu terreno, repararla o pagar una hipoteca que tienes con otro.
course-que-es-un-credito-3 = Lo que ahorraste en tu Subcuenta de Vivienda se suma al crédito. Pide solo lo que puedas pagar.

course-cuanto-cuesta-title = Cuánto cuesta
course-cuanto-cuesta-1 = El crédito cuesta más que lo que te prestan: pagas intereses, gastos de apertura y los seguros.
course-cuanto-cuesta-2 = La tasa de interés depende de tu salario. Si ganas menos, pagas una tasa más baja.
course-cuanto-cuesta-3 = Compara el total que vas a pagar, no solo el pago de cada mes.

course-pagos-y-descuentos-title = Pagos y descuentos
course-pagos-y-descuentos-1 = Mientras tienes trabajo, tu patrón descuenta el pago de tu salario y lo entrega al Infonavit.
course-pagos-y-descuentos-2 = Tu patrón también aporta el 5 % de tu salario, que se abona a tu crédito.
course-pagos-y-descuentos-3 = Si cambias de trabajo, da tu número de crédito a tu nuevo patrón para que siga descontando.

course-seguros-y-desempleo-title = Seguros y qué pasa si pierdes tu trabajo
course-seguros-y-desempleo-1 = Tu crédito tiene un seguro de vida e invalidez: si mueres o quedas sin poder trabajar, el seguro paga la deuda.
course-seguros-y-desempleo-2 = Si pierdes tu trabajo, avisa al Infonavit y pide la protección de pagos o una prórroga. No dejes de pagar sin avisar.
course-seguros-y-desempleo-3 = Mientras no tienes trabajo, puedes pagar por tu cuenta en el banco o en tiendas.

course-tus-derechos-title = Tus derechos
course-tus-derechos-1 = Todos los trámites del Infonavit son gratuitos y personales. No necesitas pagarle a nadie para tramitar tu crédito.
course-tus-derechos-2 = Tienes derecho a saber cuánto debes, a recibir tu estado de cuenta y a que te expliquen cada cobro.
course-tus-derechos-3 = Si alguien te pide dinero por ayudarte, no se lo des y repórtalo en Infonatel.

course-q1 = ¿Qué es un crédito?
course-q1-0 = Dinero que te regalan.
course-q1-1 = Dinero que te prestan y que pagas después, con intereses.
course-q1-2 = Tu ahorro de la Subcuenta de Vivienda.
course-q1-why = Un crédito es un préstamo: lo pagas poco a poco y con intereses.

course-q2 = ¿Qué incluye lo que te cuesta el crédito?
course-q2-0 = Solo lo que te prestan.
course-q2-1 = Solo los intereses.
course-q2-2 = Los intereses, los gastos y los seguros.
course-q2-why = Además de lo que te prestan, pagas intereses, gastos y seguros. Compara el total.

course-q3 = Mientras tienes trabajo, ¿cómo pagas tu crédito?
course-q3-0 = Tu patrón lo descuenta de tu salario.
course-q3-1 = Vas cada mes a una oficina del Infonavit.
course-q3-2 = No pagas nada mientras trabajas.
course-q3-why = Tu patrón descuenta el pago de tu salario y lo entrega al Infonavit.

course-q4 = Si pierdes tu trabajo, ¿qué debes hacer?
course-q4-0 = Dejar de pagar hasta que encuentres otro.
course-q4-1 = Avisar al Infonavit y pedir la protección de pagos.
course-q4-2 = Vender la casa de inmediato.
course-q4-why = Avisa al Infonavit: puedes pedir la protección de pagos o una prórroga.

course-q5 = ¿Quién puede tramitar tu crédito por ti a cambio de dinero?
course-q5-0 = Un gestor que conoce el Infonavit.
course-q5-1 = Cualquier persona con tu contraseña.
course-q5-2 = Nadie: los trámites son gratuitos y personales.
course-q5-why = Los trámites son gratuitos y personales. Si alguien te cobra, repórtalo en Infonatel.

course-q6 = ¿Qué cubre el seguro de vida e invalidez de tu crédito?
course-q6-0 = La deuda, si mueres o quedas sin poder trabajar.
course-q6-1 = Las reparaciones de la casa.
course-q6-2 = Los pagos que se te olvidan.
course-q6-why = Si mueres o quedas sin poder trabajar, el seguro paga lo que debes.

## Unamos Créditos

unamos-title = Unamos Créditos
unamos-lead = Junta tu crédito con el de otra persona (tu pareja, un familiar o una amistad) para comprar una casa juntos. Cada quien se evalúa por separado, con su propia tasa.
unamos-make-title = Si tú invitas
unamos-make-text = Crea un código y dáselo a la otra persona. Ella lo escribe en su cuenta. El código sirve una sola vez y durante 24 horas.
unamos-make = Crear un código
unamos-code-title = Tu código para Unamos Créditos
unamos-code-text = Dáselo solo a la persona con quien vas a unir tu crédito. No lo compartas con nadie más.
unamos-join-title = Si te dieron un código
unamos-code-label = Código que te dieron
unamos-code-hint = Son 10 letras y números, por ejemplo AB3CD-EF4GH.
unamos-join = Unir nuestros créditos
unamos-yes = Sí
unamos-no = Todavía no
unamos-you-qualify = Tú cumples los requisitos
unamos-partner-qualifies = La otra persona cumple los requisitos
unamos-pooled = Crédito que pueden recibir juntos
unamos-not-available = No disponible hasta que los dos cumplan los requisitos
unamos-cap = Máximo de Unamos Créditos
unamos-your-credit = Tu parte del crédito
unamos-your-payment = Tu pago mensual estimado
unamos-privacy = De la otra persona solo ves si cumple los requisitos y el total que pueden recibir juntos. Ella tampoco ve tus datos.
unamos-leave = Dejar de unir nuestros créditos
unamos-error-partner_code_invalid = El código no es válido o ya venció. Pide a la otra persona que cree uno nuevo.
unamos-error-partner_self = Ese código lo creaste tú. Dáselo a la otra persona para que ella lo escriba.
unamos-error-partner_taken = Tú o la otra persona ya tienen unido su crédito con alguien. Primero deben dejar esa unión.
unamos-error-member_not_found = No encontramos tus datos en el registro. Llama a Infonatel.
credit-next-steps = Siguientes pasos
credit-next-course = Toma el curso «Saber más para decidir mejor»
credit-next-apply = Tramita tu crédito
credit-next-unamos = Une tu crédito con otra persona (Unamos Créditos)
