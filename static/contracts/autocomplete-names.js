// The admin's search-as-you-type pickers (select2) hide the labelled <select> and show
// their own box, whose parts have no accessible name until something is chosen (axe:
// aria-input-field-name). Name them by the field's own label. Runs after the admin's
// autocomplete.js has built the boxes: jQuery runs ready handlers in the order they were
// added, and this file loads after it.
'use strict';
{
    function nameBoxes() {
        document.querySelectorAll('select.admin-autocomplete').forEach(function(select) {
            const label = document.querySelector('label[for="' + select.id + '"]');
            const rendered = document.getElementById('select2-' + select.id + '-container');
            if (!label || !rendered) {
                return;
            }
            if (!label.id) {
                label.id = select.id + '-label';
            }
            rendered.setAttribute('aria-labelledby', label.id);
            const box = rendered.closest('.select2-selection');
            if (box) {
                box.setAttribute('aria-labelledby', label.id + ' ' + rendered.id);
            }
        });
    }
    django.jQuery(nameBoxes);
}
